#!/bin/bash
# Tuned against defaults under temporal:10 (each user's 10 latest ratings are the test part), three seeds.
# R is the CLI published from main 1d8dd95 (dotnet publish src/RecSys.Engine.Cli -c Release -o /work/bin-s10).
R="dotnet /work/bin-s10/recsys.dll"
for s in 42 1 2; do
  for mode in default tune1; do
    extra=""; [ $mode = tune1 ] && extra="--tune"
    { uptime; $R eval --data /work/shared/datasets/ml-100k --format ml100k --split temporal:10 --k 10 --seed $s \
        --models itemknn,ease,als,trending,blend $extra --json $mode-seed$s.json; echo "rc $?"; uptime; } > $mode-seed$s.log 2>&1
  done
done
