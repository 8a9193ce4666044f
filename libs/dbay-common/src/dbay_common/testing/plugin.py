"""pytest plugin: fixtures that connect tests to the real stores started by scripts/devstack."""
