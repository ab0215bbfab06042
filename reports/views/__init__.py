"""The reports app's pages, one module per topic: ``home`` (the start page), ``dashboard``
and ``charts``, ``runs`` (report runs), ``templates`` (the Word template). Import from the
module."""
