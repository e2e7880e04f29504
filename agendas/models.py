"""RIEA agendas: versions, the seven criteria checks and assessments (see the agenda issue)."""
