package dev.caddie.cli;

import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Promotion;
import dev.caddie.ledger.Reservation;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "budget", description = "Compute spending and what is left.", subcommands = BudgetCommand.Status.class)
final class BudgetCommand extends ParentCommand {
    @Command(name = "status", description = "Spend per tier in dollars and hours, held reservations, the promotion queue, and what is left.")
    static final class Status implements Callable<Integer> {
        @Mixin WorkspaceOption ws;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            try (Ledger l = LedgerCommand.open(ws)) {
                l.recoverInterrupted(dev.caddie.run.Executors.of(task));
                System.out.printf(Locale.ROOT, "%-10s %6s %9s %10s%n", "tier", "runs", "hours", "dollars");
                for (Ledger.TierSpend s : l.spendPerTier())
                    System.out.printf(Locale.ROOT, "%-10s %6d %9.3f %10.2f%n", s.tier(), s.runs(), s.hours(), s.dollars());
                var held = l.reservations().stream().filter(r -> r.state().equals(Reservation.HELD)).toList();
                double heldUsd = held.stream().mapToDouble(Reservation::amountUsd).sum();
                System.out.printf(Locale.ROOT, "reservations held: %d ($%.2f)%n", held.size(), heldUsd);
                for (Reservation r : held)
                    System.out.printf(Locale.ROOT, "  #%d candidate %d on %s: $%.2f since %s%n", r.id(), r.candidateId(), r.tier(), r.amountUsd(), r.createdAt());
                double committed = l.committedUsd();
                System.out.printf(Locale.ROOT, "budget $%.2f: committed $%.2f (settled + held), left $%.2f, reserve floor $%.2f%n",
                        task.budget().dollars(), committed, task.budget().dollars() - committed, task.budget().reserveFloor());
                long queued = l.promotions().stream().filter(p -> p.state().equals(Promotion.QUEUED)).count();
                System.out.printf(Locale.ROOT, "promotion queue for %s: %d waiting; worst case a run $%.2f%n", task.budget().promoteTier(), queued,
                        task.tier(task.budget().promoteTier()).worstCaseCost());
            }
            return 0;
        }
    }
}
