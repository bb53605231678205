"""A deterministic community simulator that measures the ties each matching policy forms.

Members with hidden tastes meet weekly under one policy; experiences build ties and the
product's feedback ("meet again" / "not for me" / skip) flows back as pair bonds, exactly
as the web app computes them (constants imported from webapp.services.matching). Run it
with ``python -m bench.simulation`` or ``hearth simulate``.

- `community`: the simulated people, their hidden compatibility and declared profiles;
- `policies`: the baselines and Hearth's policies as engine instances (the product's bonds);
- `history`, `rounds`: one policy's run (opt-in, groups, meeting, feedback, leaving);
- `report`, `runner`, `plot`: figures, the comparison with goals, and the SVG chart.

A strong tie is a pair who met at least 3 times with a good experience each time.
"""
