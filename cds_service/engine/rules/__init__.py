"""One module per rule; each opens with a When/Then docstring and its reference section."""
