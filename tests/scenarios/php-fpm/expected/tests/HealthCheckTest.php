<?php

declare(strict_types=1);

use App\HealthCheck;

return [
    'health route answers ok' => function (): void {
        if (HealthCheck::status() !== "ok\n") {
            throw new RuntimeException('expected "ok"');
        }
    },
];
