"""The application: composition root, command line, conversation layer and HTTP surfaces."""
