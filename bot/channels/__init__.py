"""Chat channels: Rasa input channels (REST that never stays silent, socket.io for the portal),
Telegram, the shared Rasa REST client, and notices to citizens."""
