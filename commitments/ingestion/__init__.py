"""From a statement's text to proposed action items.

- `parser`: the text extracted from the PDF → a `ParsedStatement` (or a refusal naming the line);
- `writer`: a `ParsedStatement` → the document, its sections, paragraphs and signatories;
- `proposer`: stored paragraphs → proposed action items (dates, owners, kind, theme, strength),
  each value with the words it came from; `dates` and `owners` hold the two harder readings;
- `themes`: themes learnt from the items a person has already themed;
- `rules`: every vocabulary the proposer reads, as data.
"""
