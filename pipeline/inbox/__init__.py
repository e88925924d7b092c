"""The inbox: which files to take, and taking each one to a visible outcome."""
