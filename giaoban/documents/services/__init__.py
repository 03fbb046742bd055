"""Writes of the documents app, one module per entity: numbering (the running series), the register
(documents, files, relations, incoming entries) and cascades."""
