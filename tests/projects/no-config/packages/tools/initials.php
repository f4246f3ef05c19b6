<?php

// The initials of a full name, as a badge shows them.
function main(array $args): array
{
    $parts = preg_split('/\s+/', trim($args['name'] ?? ''), -1, PREG_SPLIT_NO_EMPTY);
    $initials = implode('', array_map(fn ($part) => strtoupper($part[0]), $parts));
    return ['body' => ['initials' => $initials]];
}
