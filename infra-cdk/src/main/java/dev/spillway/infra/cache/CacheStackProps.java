package dev.spillway.infra.cache;

import java.util.List;

import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;

/** Where the cache lives and who may reach it. */
public interface CacheStackProps extends StackProps {

    IVpc getVpc();

    /** Security groups whose members may open TCP 6379 to the cache: the intake's and the fleet's. */
    List<ISecurityGroup> getClients();

    /** Ceiling on stored data, in GB: bounds the bill of a runaway cache. */
    int getMaxDataStorageGb();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private IVpc vpc;
        private List<ISecurityGroup> clients = List.of();
        private int maxDataStorageGb = 5;
        private String description;

        public Builder vpc(final IVpc value) {
            this.vpc = value;
            return this;
        }

        public Builder clients(final List<ISecurityGroup> value) {
            this.clients = List.copyOf(value);
            return this;
        }

        public Builder maxDataStorageGb(final int value) {
            this.maxDataStorageGb = value;
            return this;
        }

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public CacheStackProps build() {
            final IVpc v = vpc;
            final List<ISecurityGroup> c = clients;
            final int gb = maxDataStorageGb;
            final String desc = description;
            return new CacheStackProps() {
                @Override
                public IVpc getVpc() {
                    return v;
                }

                @Override
                public List<ISecurityGroup> getClients() {
                    return c;
                }

                @Override
                public int getMaxDataStorageGb() {
                    return gb;
                }

                @Override
                public String getDescription() {
                    return desc;
                }
            };
        }
    }
}
