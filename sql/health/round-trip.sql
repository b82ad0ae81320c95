-- The cheapest statement there is: its wall time is the network round trip.
select 1 as one;
