<?php

declare(strict_types=1);

// php-apache: every request that is not a file in public/ comes here.
require __DIR__ . '/../vendor/autoload.php';

use App\HealthCheck;

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);

header('Content-Type: text/plain');
switch ($path) {
    case '/healthz':
        echo HealthCheck::status();
        break;
    case '/':
        echo "Hello from php-apache\n";
        break;
    default:
        http_response_code(404);
        echo "not found\n";
}
