// Channel's messages carry `Value`s (from ComponentWire, shared with GlobalData).
@_exported import WorkermanComponentWire
