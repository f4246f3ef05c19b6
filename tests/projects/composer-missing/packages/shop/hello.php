<?php

function main(array $args): array
{
    $name = $args['name'] ?? 'shopper';
    return ['body' => "Welcome to the shop, {$name}!"];
}
