// GlobalData stores `Value`s (from ComponentWire, shared with Channel).
@_exported import WorkermanComponentWire
