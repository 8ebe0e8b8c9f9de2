<?php

declare(strict_types=1);

// A dependency-free test runner: every tests/*Test.php returns [name => callable]; a test
// fails by throwing. Swap in PHPUnit (composer require --dev phpunit/phpunit) when you need it.
require __DIR__ . '/../vendor/autoload.php';

$failed = 0;
$passed = 0;
foreach (glob(__DIR__ . '/*Test.php') as $file) {
    foreach (require $file as $name => $test) {
        try {
            $test();
            $passed++;
        } catch (Throwable $error) {
            $failed++;
            fwrite(STDERR, "FAIL {$name}: {$error->getMessage()}\n");
        }
    }
}
echo "{$passed} passed, {$failed} failed\n";
exit($failed === 0 ? 0 : 1);
