"""Mail servers and mail: IMAP, SMTP, OAuth sign-in, parsing, threads, and telling robots apart."""
