"""The channel-neutral core: messages, routing, conversation state, language."""
