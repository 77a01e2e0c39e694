/// Placeholder for the GlobalData component (variables shared between processes); its issue is open.
public enum GlobalDataComponent {}
