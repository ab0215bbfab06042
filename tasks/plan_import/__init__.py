"""Import a programme's plan from an uploaded table: read, match units, preview, confirm.

``readers`` turns a .docx, .xlsx, .csv or .txt into the parser's ``SourceRow``s (the same
row parser as the first programme's text), refusing unsafe or unreadable files;
``matching`` pairs each named unit with a department; ``services`` keeps the draft and
creates the programme when the office confirms.
"""
