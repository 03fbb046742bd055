"""Pages of the documents app: the register (views.register), the document page and its forms (views.document),
sending down and coverage (views.cascades)."""
