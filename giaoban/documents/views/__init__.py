"""Pages of the documents app, one module per concept (cascades: sending down, coverage, the receivers' list)."""
