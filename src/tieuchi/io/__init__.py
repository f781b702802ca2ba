"""Data exchange: Excel entry templates and their import, CSV, DHIS2 ``dataValueSets``."""
