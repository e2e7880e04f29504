"""Selection: assessment framework, assessments, scoring runs, decisions (see the selection issue)."""
