<?php
echo "quotes";
