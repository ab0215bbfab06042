"""The tasks app's forms, one module per page: ``update`` (the update form), ``filters``
(the task list's filters), ``review`` (the office's review). Import from the module.
"""
