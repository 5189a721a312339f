"""政务舆情: noticing what many citizens raise at once and holding the city to its response clocks."""
