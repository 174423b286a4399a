"""Bringing tables of action items and status updates in: read (tabular), check and plan
(items, updates), write all or nothing. The admin and the commands both call these."""
