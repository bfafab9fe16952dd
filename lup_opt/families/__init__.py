"""The constraint families of the model, one module each, and the registry every stage loops over.

To add a family: write its LP steps (``lup_opt/model/<topic>.py``, each marked with
``@implements(ID)`` for the IDs of ``models/formulation.md``), then one module here with its
:class:`~lup_opt.families.base.Family` (what it reads, its relaxable and priced rows, its result
tables), and add it to :data:`lup_opt.families.registry.REGISTRY`. The build, culling,
``explain``, ``duals.csv`` and the
result tables pick it up from there (``DEVELOPERS.md`` walks through an example).
"""
