"""tieuchi: targets, criteria sets and official reports for Vietnamese local governments."""
