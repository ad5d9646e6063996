package main

import "os"

// osGetenv is the environment the commands read (tests give their own).
var osGetenv = os.Getenv
