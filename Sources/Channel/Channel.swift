/// Placeholder for the Channel component (pub/sub between processes and servers); its issue is open.
public enum ChannelComponent {}
