<?php

declare(strict_types=1);

namespace App;

/** What the health route answers. */
final class HealthCheck
{
    public static function status(): string
    {
        return "ok\n";
    }
}
