<?php
// A team backend written as chapter 7 of the manual writes one: PHP reads the POSTed event's
// fields from $_POST. Each request is logged as one JSON object per line, for run.sh to check
// that every field decodes to exactly what coccd's client sent (issue 10, item 5).
$log = getenv('COCCD_BACKEND_LOG');
file_put_contents($log, json_encode($_POST, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n", FILE_APPEND | LOCK_EX);
echo 'ok';
