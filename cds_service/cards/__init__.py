"""Cards layer: findings to CDS Hooks cards, card text and the course timeline (below
``cdshooks``, above ``terminology`` in the layer order of ``pyproject.toml``)."""
