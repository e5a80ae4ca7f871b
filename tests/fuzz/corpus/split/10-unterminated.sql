SELECT 'open;
SELECT $tag$ never closed
/* /* */
"ident
[br
