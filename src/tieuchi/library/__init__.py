"""What tieuchi ships for a new definition folder: the published administrative units (2025
and legacy, with the 2025 succession), the national criteria sets with their legal sources,
and the standard catalogue of socio-economic indicators. Data, with the code that reads it;
nothing here reads a network or a user's folder."""
