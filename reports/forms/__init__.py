"""The reports app's forms, one module per page (``runs``, ``templates``). Import from
the module."""
