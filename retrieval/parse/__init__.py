"""Files -> pages -> articles -> chunks: read page files, undo the PDF extraction, find the articles and
cut them into cited passages. Pure functions but for reading and changing the pages folder."""
