"""The watcher: notice files dropped into the inbox and release them when complete."""
