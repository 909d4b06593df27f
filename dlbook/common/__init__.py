"""Small pieces every concern uses: files written whole or not at all, the
one pipeline loader, entities by character offsets (and displaCy's format),
a description of the machine a figure was measured on."""
