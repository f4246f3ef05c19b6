<?php

require __DIR__ . '/vendor/autoload.php';

use Money\Currencies\ISOCurrencies;
use Money\Formatter\DecimalMoneyFormatter;
use Money\Money;

function main(array $args): array
{
    $cents = (int) ($args['cents'] ?? 0);
    $formatter = new DecimalMoneyFormatter(new ISOCurrencies());
    return ['price' => $formatter->format(Money::EUR($cents))];
}
