# German with the time of day spelled as press offices do: "26. Juni 2025, 12:00 Uhr".
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y, H:i \\U\\h\\r"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
