"""The departments app's pages, one module per topic: ``accounts`` (password change and
reset), ``notifications``. Import from the module."""
