"""Personal data guarded: group chats, safe files, masking, forgetting, revoking, audit."""
