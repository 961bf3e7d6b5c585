package io.msrconf.conformance;

import io.msrconf.suite.ConformanceSuite;

/**
 * Runs the conformance suite under Maven (surefire finds test classes only in test sources): every case
 * on real KVM and on the emulator, and KVM against the model, with Allure results and the JSON summary.
 * The suite itself lives in main code so that the CLI runs the very same tests.
 */
class ConformanceTest extends ConformanceSuite {
}
