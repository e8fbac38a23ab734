"""What an email is about and how urgent it is: intent, emergencies and their grade,
the language of the reply, and the checks that hold a draft for a person."""
