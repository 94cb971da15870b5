-- Reserved: filled in by the work that needs it (migrations are append-only once released).
SELECT 1;
