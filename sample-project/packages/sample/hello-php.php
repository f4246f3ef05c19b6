<?php

function main(array $event, $context): array
{
    $name = $event['name'] ?? 'stranger';
    echo "greeted {$name} from {$context->functionName}\n";
    return ['body' => "Hello {$name}, from PHP " . PHP_VERSION . '!'];
}
