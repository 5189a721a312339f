"""Chat channels: Rasa's input channel (REST that never stays silent, on loopback),
Telegram, the shared Rasa REST client, and notices to citizens."""
