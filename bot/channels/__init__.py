"""Chat channels besides the web portal: Telegram, the shared Rasa REST client, notices to citizens."""
